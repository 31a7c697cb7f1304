"""Server-rendered pages for supplier users: onboarding/KYC and invitations."""
