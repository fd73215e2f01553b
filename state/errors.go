package state

import (
	"errors"
	"fmt"
)

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

// ErrNotAChart: a chart's tag holds something other than a Helm chart (a
// container image, an image index, another artifact). Match it with
// errors.Is; NotAChartError says what the tag holds.
var ErrNotAChart = errors.New("not a Helm chart")

// NotAChartError is what a RegistryReader's FetchChart returns for a
// manifest that is not a chart.
type NotAChartError struct {
	// Holds says what the manifest is, with the media type that says so:
	// "a container image (application/vnd.oci.image.config.v1+json)".
	Holds string
}

func (e *NotAChartError) Error() string { return fmt.Sprintf("holds %s, %s", e.Holds, ErrNotAChart) }

func (e *NotAChartError) Is(target error) bool { return target == ErrNotAChart }
