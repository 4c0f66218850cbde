# draft
