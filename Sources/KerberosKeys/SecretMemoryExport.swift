// Keys and passwords are SecretBytes: users of the key material get the type with it.
@_exported import SecretMemory
