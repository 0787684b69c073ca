"""Messages on the case: the thread between the applicant side (the applicant, or every member
of the organisation that applied) and the secretariat, with attachments; the secretariat's
requests for information with a deadline; and the staff's internal notes (internal working
documents, offentlighedsloven § 23). Each is journalised on the case and kept in its case
file."""
