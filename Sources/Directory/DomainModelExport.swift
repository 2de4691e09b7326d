// The DC a connection talks to is part of Directory's API: its users need not import the leaf too.
@_exported import DomainModel
