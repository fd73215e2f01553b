package planner

import "sort"

// FormatVersion is the version of the saved plan and JSON formats. It
// changes only when a field changes meaning or disappears.
const FormatVersion = "1"

// Action is what apply does to one resource.
type Action string

const (
	ActionNoOp    Action = "no-op"
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDelete  Action = "delete"
	// ActionBlocked is a change a policy refuses: the plan cannot be
	// applied until it is resolved.
	ActionBlocked Action = "blocked"
)

// Actions is the Terraform-style action list of the JSON format.
func (a Action) Actions() []string {
	if a == ActionReplace {
		return []string{"delete", "create"}
	}
	return []string{string(a)}
}

// ResourceType names the kinds of resource a chart version expands into.
type ResourceType string

const (
	TypeOCIChart     ResourceType = "oci_chart"
	TypeOCISignature ResourceType = "oci_signature"
	TypeRelease      ResourceType = "github_release"
	TypeReleaseAsset ResourceType = "github_release_asset"
)

// Change is the planned change of one resource.
type Change struct {
	// Address is stable: oci_chart.podinfo,
	// github_release_asset.podinfo["README.md"].
	Address string
	Type    ResourceType
	Chart   string
	// Name is the asset name for github_release_asset, else empty.
	Name   string
	Action Action
	// Reason says why, for a human: "tag absent", "digest differs: ...".
	Reason string
	// Before and After describe the resource as observed and as it will
	// be, for rendering only: Apply reads the typed payload below. Values
	// are strings, so renderings are stable; "(known after apply)" marks
	// values apply computes.
	Before map[string]string
	After  map[string]string
	// The payload matching Type: what Apply needs to carry the change
	// out. Nil for a blocked change.
	OCI       *OCIChange
	Signature *SignatureChange
	Release   *ReleaseChange
	Asset     *AssetChange
	Tag       *TagChange
	Index     *IndexEntryChange
	// ArtifactHub is the payload of artifacthub_metadata.
	ArtifactHub *ArtifactHubChange
	// Attestation is the payload of oci_attestation.
	Attestation *AttestationChange
	// Fingerprint identifies the observed remote state this change was
	// computed from; apply of a saved plan refuses to run when it changed.
	Fingerprint string
}

// ChangeSet is the full set of changes for one spec and snapshot.
type ChangeSet struct {
	FormatVersion string
	RelctlVersion string
	// InputsHash covers the spec and the local chart inputs (package and
	// asset digests, commit).
	InputsHash string
	Registry   string
	// Repository is the GitHub owner/name, empty when releases are not
	// managed.
	Repository string
	// Atomic publishes every chart's release in a last phase.
	Atomic  bool
	Changes []Change
	// Warnings are things a user should read that change nothing
	// (optional asset missing, publishing unsigned, skipped conflict).
	Warnings []Warning
}

// Summary counts changes by action.
type Summary struct {
	Create, Update, Replace, Delete, Blocked, NoOp int
}

// Summary counts the plan's changes.
func (p *ChangeSet) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case ActionCreate:
			s.Create++
		case ActionUpdate:
			s.Update++
		case ActionReplace:
			s.Replace++
		case ActionDelete:
			s.Delete++
		case ActionBlocked:
			s.Blocked++
		default:
			s.NoOp++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would write anything.
func (p *ChangeSet) HasChanges() bool {
	s := p.Summary()
	return s.Create+s.Update+s.Replace+s.Delete+s.Blocked > 0
}

// Blocked returns the blocked changes; a plan with any is not applyable.
func (p *ChangeSet) Blocked() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Action == ActionBlocked {
			out = append(out, c)
		}
	}
	return out
}

// ChartChanges returns the chart's changes in apply order.
func (p *ChangeSet) ChartChanges(chart string) []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Chart == chart {
			out = append(out, c)
		}
	}
	return out
}

// Charts returns the charts the plan covers, sorted. Resources of no chart
// (the pages branch's artifacthub_metadata) are not a chart.
func (p *ChangeSet) Charts() []string {
	seen := map[string]bool{"": true}
	var out []string
	for _, c := range p.Changes {
		if !seen[c.Chart] {
			seen[c.Chart] = true
			out = append(out, c.Chart)
		}
	}
	sort.Strings(out)
	return out
}
