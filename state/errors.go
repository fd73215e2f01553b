package state

import "errors"

// Sentinel errors shared by the providers and the core. Providers wrap them so
// callers can match with errors.Is.
var (
	// ErrNotFound: the remote object (tag, manifest, release, asset) does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a create collided with an existing object.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the remote changed between observation and write.
	ErrConflict = errors.New("conflict")
	// ErrUnauthorized: the remote refused the credentials (401 or 403).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrOutcomeUnknown: a write failed in a way that leaves open whether
	// the remote applied it (the connection dropped after the request was
	// sent, a gateway timed out). Re-observe before trying again.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)
