"""Development models: which actor drives a village's translation into online selling."""
