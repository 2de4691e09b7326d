// CredentialGuard
