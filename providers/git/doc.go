// Package git answers the few questions relctl asks of the checkout: the
// commit being released and the files changed since a base ref. It runs the
// git command; it never writes to the repository.
package git
