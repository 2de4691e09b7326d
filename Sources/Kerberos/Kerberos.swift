// Kerberos
