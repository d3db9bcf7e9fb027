"""Protocol design workspace: compute, compare, save and adopt sample-size and dose-finding designs."""
