"""Evidence files for the change-report tests."""

PDF = b"%PDF-1.4\n% new business licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LICENCE = ("新营业执照.pdf", PDF)
