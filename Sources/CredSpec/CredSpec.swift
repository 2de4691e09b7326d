// CredSpec
