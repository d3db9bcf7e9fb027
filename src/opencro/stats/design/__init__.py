"""Protocol design: sample size and power, group-sequential designs, dose escalation, trial simulation."""
