package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// jsonPlan is the public, versioned JSON form of a plan: `plan --json`,
// `show --json` and saved plan files. Fields are added, never renamed.
type jsonPlan struct {
	FormatVersion   string       `json:"format_version"`
	RelctlVersion   string       `json:"relctl_version"`
	InputsHash      string       `json:"inputs_hash"`
	Registry        string       `json:"registry"`
	Repository      string       `json:"github_repository,omitempty"`
	Atomic          bool         `json:"atomic"`
	Applyable       bool         `json:"applyable"`
	HasChanges      bool         `json:"has_changes"`
	Summary         jsonSummary  `json:"summary"`
	ResourceChanges []jsonChange `json:"resource_changes"`
	Warnings        []string     `json:"warnings"`
	// WarningDetails are the warnings with their kind and chart, in the
	// order of Warnings, so that views can group them.
	WarningDetails []jsonWarning `json:"warning_details,omitempty"`
}

type jsonWarning struct {
	Kind    string `json:"kind"`
	Chart   string `json:"chart,omitempty"`
	Message string `json:"message"`
}

type jsonSummary struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
	Blocked int `json:"blocked"`
	NoOp    int `json:"no_op"`
}

type jsonChange struct {
	Address     string            `json:"address"`
	Type        string            `json:"type"`
	Chart       string            `json:"chart"`
	Name        string            `json:"name,omitempty"`
	Actions     []string          `json:"actions"`
	Reason      string            `json:"reason"`
	Before      map[string]string `json:"before"`
	After       map[string]string `json:"after"`
	Fingerprint string            `json:"fingerprint,omitempty"`
	// Payload is the change's typed instructions for apply (see
	// payload.go), by type. Added within format 1: a plan without it
	// reads, and apply refuses to act on such a change.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// MarshalJSON renders the public JSON format.
func (p *ChangeSet) MarshalJSON() ([]byte, error) {
	s := p.Summary()
	out := jsonPlan{
		FormatVersion: p.FormatVersion,
		RelctlVersion: p.RelctlVersion,
		InputsHash:    p.InputsHash,
		Registry:      p.Registry,
		Repository:    p.Repository,
		Atomic:        p.Atomic,
		Applyable:     s.Blocked == 0,
		HasChanges:    p.HasChanges(),
		Summary: jsonSummary{Create: s.Create, Update: s.Update, Replace: s.Replace,
			Delete: s.Delete, Blocked: s.Blocked, NoOp: s.NoOp},
		ResourceChanges: make([]jsonChange, len(p.Changes)),
		Warnings:        WarningMessages(p.Warnings),
	}
	for _, w := range p.Warnings {
		out.WarningDetails = append(out.WarningDetails, jsonWarning(w))
	}
	for i, c := range p.Changes {
		payload, err := c.marshalPayload()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Address, err)
		}
		out.ResourceChanges[i] = jsonChange{
			Address: c.Address, Type: string(c.Type), Chart: c.Chart, Name: c.Name,
			Actions: c.Action.Actions(), Reason: c.Reason,
			Before: c.Before, After: c.After, Fingerprint: c.Fingerprint, Payload: payload,
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the public JSON format.
func (p *ChangeSet) UnmarshalJSON(b []byte) error {
	var in jsonPlan
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if in.FormatVersion != FormatVersion {
		return fmt.Errorf("plan format_version %q is not supported (this relctl reads %q)", in.FormatVersion, FormatVersion)
	}
	*p = ChangeSet{
		FormatVersion: in.FormatVersion, RelctlVersion: in.RelctlVersion, InputsHash: in.InputsHash,
		Registry: in.Registry, Repository: in.Repository, Atomic: in.Atomic,
	}
	p.Warnings = readWarnings(in.Warnings, in.WarningDetails)
	for _, c := range in.ResourceChanges {
		action := Action(strings.Join(c.Actions, ","))
		if action == "delete,create" {
			action = ActionReplace
		}
		ch := Change{
			Address: c.Address, Type: ResourceType(c.Type), Chart: c.Chart, Name: c.Name,
			Action: action, Reason: c.Reason, Before: c.Before, After: c.After, Fingerprint: c.Fingerprint,
		}
		if err := ch.unmarshalPayload(c.Payload); err != nil {
			return fmt.Errorf("%s: payload: %w", c.Address, err)
		}
		p.Changes = append(p.Changes, ch)
	}
	return nil
}

// marshalPayload encodes the change's payload; nil when it has none.
func (c *Change) marshalPayload() (json.RawMessage, error) {
	var v any
	switch {
	case c.OCI != nil:
		v = c.OCI
	case c.Signature != nil:
		v = c.Signature
	case c.Release != nil:
		v = c.Release
	case c.Asset != nil:
		v = c.Asset
	case c.Tag != nil:
		v = c.Tag
	case c.Index != nil:
		v = c.Index
	case c.ArtifactHub != nil:
		v = c.ArtifactHub
	case c.Attestation != nil:
		v = c.Attestation
	default:
		return nil, nil
	}
	return json.Marshal(v)
}

// unmarshalPayload decodes b into the payload field of the change's type.
func (c *Change) unmarshalPayload(b json.RawMessage) error {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var v any
	switch c.Type {
	case TypeOCIChart:
		c.OCI = &OCIChange{}
		v = c.OCI
	case TypeOCISignature:
		c.Signature = &SignatureChange{}
		v = c.Signature
	case TypeRelease:
		c.Release = &ReleaseChange{}
		v = c.Release
	case TypeReleaseAsset:
		c.Asset = &AssetChange{}
		v = c.Asset
	case TypeGitTag:
		c.Tag = &TagChange{}
		v = c.Tag
	case TypeHelmIndexEntry:
		c.Index = &IndexEntryChange{}
		v = c.Index
	case TypeArtifactHubMetadata:
		c.ArtifactHub = &ArtifactHubChange{}
		v = c.ArtifactHub
	case TypeOCIAttestation:
		c.Attestation = &AttestationChange{}
		v = c.Attestation
	default:
		// A resource type of a newer relctl: this one cannot apply it
		// and does not read its instructions.
		return nil
	}
	return json.Unmarshal(b, v)
}

// Write writes the plan as indented JSON.
func (p *ChangeSet) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Read reads a saved plan.
func Read(r io.Reader) (*ChangeSet, error) {
	var p ChangeSet
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return &p, nil
}

// ErrStale is returned by CheckStale.
var ErrStale = fmt.Errorf("the saved plan is stale")

// CheckStale compares a saved plan with one computed now from the same spec.
// The saved plan may be applied only when the local inputs and every
// resource's observed remote state are unchanged; otherwise applying it
// would act on a world it did not see.
func CheckStale(saved, now *ChangeSet) error {
	if saved.InputsHash != now.InputsHash {
		return fmt.Errorf("%w: the spec or the charts changed since it was made; run relctl plan again", ErrStale)
	}
	was := map[string]Change{}
	for _, c := range saved.Changes {
		was[c.Address] = c
	}
	var diffs []string
	for _, c := range now.Changes {
		old, ok := was[c.Address]
		delete(was, c.Address)
		switch {
		case !ok:
			diffs = append(diffs, c.Address+" is new")
		case old.Fingerprint != c.Fingerprint || old.Action != c.Action:
			diffs = append(diffs, fmt.Sprintf("%s changed (was %s, now %s)", c.Address, describe(old), describe(c)))
		}
	}
	for addr := range was {
		diffs = append(diffs, addr+" is gone")
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return fmt.Errorf("%w: the remote changed since it was made: %s; run relctl plan again", ErrStale, strings.Join(diffs, "; "))
	}
	return nil
}

func describe(c Change) string {
	fp := c.Fingerprint
	if strings.HasPrefix(fp, "sha256:") {
		fp = short(fp)
	}
	return fmt.Sprintf("%s: %s", c.Action, fp)
}
