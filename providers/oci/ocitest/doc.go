// Package ocitest serves the CNCF distribution v3 registry in-process, with
// in-memory storage, on loopback. Tests, `relctl sandbox` and `relctl demo`
// use it as a real registry: it has no referrers API, like GHCR, unless
// Options.Referrers adds one in front of it.
//
// It counts requests by method, so tests and benchmarks can assert how many
// calls a plan or an apply made.
package ocitest
