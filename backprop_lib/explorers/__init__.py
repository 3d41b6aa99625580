"""The chapters' interactive explorers, one module each (update logic testable without a display)."""
