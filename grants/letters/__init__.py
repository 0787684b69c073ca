"""Letters: decision letters as archival, tagged PDFs, stored with the case and never remade."""
