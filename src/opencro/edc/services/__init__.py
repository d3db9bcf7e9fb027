"""EDC writes. Each public function is one transaction with its audit records."""
