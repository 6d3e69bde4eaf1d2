"""What-if thresholds: an edited copy of a pack run by the batch engine over the register; never the packs in force."""
