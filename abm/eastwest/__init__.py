"""The east-west cooperation fund and pairing assistance."""
