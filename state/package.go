package state

import "time"

// Package is a chart packaged locally, reproducibly: the same chart files give
// the same Archive bytes on any machine at any time.
type Package struct {
	Chart   string
	Version string
	// FileName is "<chart>-<version>.tgz".
	FileName string
	// Archive is the gzipped tar, laid out as helm's chartutil.Save does.
	Archive []byte
	// Digest is "sha256:<hex>" of Archive.
	Digest string
	// ContentDigest is "sha256:<hex>" over the archive's entry names and
	// bytes, independent of tar headers and compression: a package made by
	// plain `helm package` from the same files has the same ContentDigest.
	ContentDigest string
	// Config is helm's OCI config blob: the JSON of the Chart.yaml metadata.
	Config []byte
	// Annotations are the OCI manifest annotations helm would write
	// (org.opencontainers.image.*), with created set to Created.
	Annotations map[string]string
	// Created is the package time used for every tar entry and for the
	// created annotation.
	Created time.Time
}
