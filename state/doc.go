// Package state describes the observed world (a Snapshot) and fills it by
// reading the local charts and the remotes through small reader interfaces
// that this package declares and the providers satisfy.
//
// Refresh only reads: nothing in this package writes to a registry or GitHub.
package state
