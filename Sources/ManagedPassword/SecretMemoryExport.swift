// SecretBytes lived here before it moved to the leaf module SecretMemory: its users keep importing ManagedPassword.
@_exported import SecretMemory
