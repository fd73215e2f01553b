// Package provenance builds the SLSA v1 provenance relctl attests for a
// chart manifest (an in-toto v1 statement, resource oci_attestation), and
// compares a statement found in the registry with the one it would make.
//
// It performs no IO and reads no clock: the statement is a function of its
// Inputs, encoded as RFC 8785 canonical JSON, so the same inputs give the
// same bytes on any machine (the plan carries them, apply signs them). It
// never signs and never talks to a registry: providers/cosign does.
package provenance
