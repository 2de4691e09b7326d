// ManagedPassword
