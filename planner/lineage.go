package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// LineageSchemaVersion versions the lineage file's format.
const LineageSchemaVersion = "1"

// Lineage is a chart version's attestation lineage file: what was released,
// from which commit and pull request, with which attestations. Published
// with the release, it is the ledger drift and verify compare the registry
// with. Field order is the file's.
type Lineage struct {
	SchemaVersion string              `json:"schema_version"`
	Chart         string              `json:"chart"`
	Version       string              `json:"version"`
	Tag           string              `json:"tag"`
	OCIReference  string              `json:"oci_reference"`
	Digest        string              `json:"digest"`
	PackageDigest string              `json:"package_digest"`
	SourceCommit  string              `json:"source_commit,omitempty"`
	PullRequest   *LineagePullRequest `json:"pull_request"`
	Attestations  LineageAttestations `json:"attestations"`
	// Provenance is relctl's own attestation of Digest (oci_attestation),
	// with signing { provenance = true }; absent otherwise, so a lineage
	// file without it has the bytes it had before it existed.
	Provenance *LineageProvenance `json:"provenance,omitempty"`
}

// LineageProvenance says where relctl's provenance of the manifest is.
type LineageProvenance struct {
	PredicateType string `json:"predicate_type"`
	BuildType     string `json:"build_type"`
	// Reference is the tag holding the attestation (`<repository>:
	// sha256-<hex>.att`), or for bundles alone the manifest they refer to;
	// Format is signing.format ("legacy", "bundle", "both").
	Reference string `json:"reference"`
	Format    string `json:"format"`
}

// provenanceFormat is the format the lineage file lists relctl's
// provenance in: signing.format with signing { provenance }, else empty.
func provenanceFormat(spec *config.Spec) config.SignatureFormat {
	if !spec.Signing.Provenance {
		return ""
	}
	if spec.Signing.Format == "" {
		return config.FormatLegacy
	}
	return spec.Signing.Format
}

// LineagePullRequest names the pull request behind the source commit.
type LineagePullRequest struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
}

// LineageAttestations are the attestations the lineage records.
type LineageAttestations struct {
	// Upstream is the chart's entry in the attestation map of the pull
	// request (attestations made before the merge); null when none.
	Upstream json.RawMessage `json:"upstream"`
	// GitHub are GitHub's attestations for PackageDigest.
	GitHub []json.RawMessage `json:"github"`
}

// attestationMapInfo is the info string of the fenced code block, in a pull
// request's description or comments, that holds the attestation map: a
// JSON object from chart name to whatever identifies its attestations.
const attestationMapInfo = "attestation-map"

// lineageFile renders the lineage file of a chart. manifest is the digest
// the registry holds after apply. It is deterministic: the same
// observations give the same bytes, so its digest can be planned.
//
// attested lists relctl's own provenance attestation, in that
// signing.format (provenanceFormat); empty: none.
func lineageFile(c config.Chart, cs *state.ChartState, snap *state.Snapshot, manifest string, attested config.SignatureFormat) ([]byte, []Warning, error) {
	l := Lineage{
		SchemaVersion: LineageSchemaVersion,
		Chart:         c.Name,
		Version:       c.Version,
		Tag:           c.Tag,
		OCIReference:  cs.OCI.Repository + ":" + cs.OCI.Tag,
		Digest:        manifest,
		PackageDigest: cs.ReleasedDigest(),
		SourceCommit:  snap.Commit,
		Attestations:  LineageAttestations{GitHub: []json.RawMessage{}},
	}
	var warnings []Warning
	if pr := snap.PullRequest; pr != nil {
		l.PullRequest = &LineagePullRequest{Number: pr.Number, URL: pr.URL}
		upstream, warns := attestationMap(pr, c.Name)
		l.Attestations.Upstream, warnings = upstream, warns
	}
	if attested != "" {
		l.Provenance = &LineageProvenance{
			PredicateType: provenance.PredicateType,
			BuildType:     provenance.BuildType,
			Reference:     attestationReference(cs.OCI.Repository, manifest, attested),
			Format:        string(attested),
		}
	}
	if cs.Lineage != nil {
		l.Attestations.GitHub = append(l.Attestations.GitHub, cs.Lineage.Attestations...)
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("lineage file of %s: %w", c.Name, err)
	}
	return append(b, '\n'), warnings, nil
}

// attestationMap finds the chart's entry in the pull request's attestation
// maps: the description first, then the comments, a later map overriding
// an earlier one chart by chart.
func attestationMap(pr *state.PullRequest, chart string) (json.RawMessage, []Warning) {
	var (
		found    json.RawMessage
		warnings []Warning
	)
	texts := append([]string{pr.Body}, pr.Comments...)
	for i, text := range texts {
		where := fmt.Sprintf("the description of pull request #%d", pr.Number)
		if i > 0 {
			where = fmt.Sprintf("comment %d of pull request #%d", i, pr.Number)
		}
		for _, block := range fencedBlocks(text, attestationMapInfo) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(block), &m); err != nil {
				warnings = append(warnings, chartWarning(chart, "the "+attestationMapInfo+" block in "+where+" is not a JSON object", "the %s block in %s is not a JSON object (%v); ignored", attestationMapInfo, where, err))
				continue
			}
			if v, ok := m[chart]; ok {
				var buf bytes.Buffer
				if err := json.Compact(&buf, v); err == nil {
					found = buf.Bytes()
				}
			}
		}
	}
	return found, warnings
}

// fencedBlocks returns the contents of the Markdown fenced code blocks
// (``` or ~~~) whose info string's first word is info.
func fencedBlocks(text, info string) []string {
	var (
		out   []string
		fence string
		keep  bool
		cur   strings.Builder
	)
	// Split in memory rather than with a bufio.Scanner: a Scanner stops
	// at a line over its buffer, and its error, easy to drop, would leave
	// every later block unread. The text is already in memory.
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		trimmed := strings.TrimSpace(line)
		if fence == "" {
			for _, f := range []string{"```", "~~~"} {
				if strings.HasPrefix(trimmed, f) {
					fence = f
					words := strings.Fields(strings.TrimLeft(trimmed, f[:1]))
					keep = len(words) > 0 && words[0] == info
					cur.Reset()
					break
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
			if keep {
				out = append(out, cur.String())
			}
			fence = ""
			continue
		}
		if keep {
			cur.WriteString(line)
			cur.WriteByte('\n')
		}
	}
	return out
}
