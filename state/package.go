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
	// Dependencies lists the chart's dependencies as resolved and embedded
	// under charts/, in Chart.yaml's order.
	Dependencies []Dependency
	// OwnDigest is the content digest of the chart's own files: the
	// archive without charts/ and Chart.lock. Two packages of one chart
	// built against other upstream dependency releases share it.
	OwnDigest string
	// LockCommitted is set when the chart folder holds a Chart.lock in sync
	// with Chart.yaml: its versions are the ones the chart pins.
	LockCommitted bool
	// Stamped is set when the package was not built: its sources are the
	// ones the published manifest was built from (see fromStamp), and the
	// fields above are read from that manifest. Archive is then empty, and
	// OwnDigest and LockCommitted unknown.
	Stamped bool
	// Blocked, when set, says why the chart cannot be packaged (a
	// dependency that does not resolve, a Chart.lock out of date); Archive
	// is then empty and the chart's change is blocked with this reason.
	Blocked string
}
