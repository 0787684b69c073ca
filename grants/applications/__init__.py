"""Applications: the case an applicant makes to a fund, from draft to decision."""
