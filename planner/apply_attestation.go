package planner

import (
	"context"
	"errors"
	"fmt"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
)

// attest attaches the planned provenance in each planned format that holds
// no equal one (same build definition, valid for the configured key or
// identity) since the plan, as an interrupted run leaves it. An attempt
// whose outcome is unknown is checked the same way before it is tried
// again, so a statement is attested once per format.
func (a *applier) attest(ctx context.Context, ch Change) error {
	if a.w.Attester == nil {
		return errors.New("provenance is configured but no attester is available")
	}
	p := ch.Attestation
	if p == nil {
		return errNoPayload(ch)
	}
	if digestOf(p.Statement) != p.Digest {
		return fmt.Errorf("the plan's statement has digest %s, not the planned %s: run relctl plan again", short(digestOf(p.Statement)), short(p.Digest))
	}
	if ok, why := provenance.Names(p.Statement, p.Manifest); !ok {
		return fmt.Errorf("the plan's statement is not a provenance of %s: %s", p.Manifest, why)
	}
	// missing lists the planned formats that hold no equal attestation.
	missing := func() ([]config.SignatureFormat, string, error) {
		st, err := a.w.Attester.VerifyAttestations(ctx, p.Repository, p.Manifest)
		if err != nil {
			return nil, "", err
		}
		have := map[config.SignatureFormat]bool{}
		for _, v := range st.Verified {
			if v.PredicateType != p.PredicateType || have[v.Kind()] {
				continue
			}
			same, _, err := provenance.Compare(v.Statement, p.Statement, p.Manifest)
			if err != nil {
				return nil, st.Reason, err
			}
			have[v.Kind()] = same
		}
		var out []config.SignatureFormat
		for _, f := range p.formats() {
			if !have[f] {
				out = append(out, f)
			}
		}
		return out, st.Reason, nil
	}
	todo, _, err := missing()
	if err != nil {
		return fmt.Errorf("check attestations of %s@%s: %w", p.Repository, p.Manifest, err)
	}
	if len(todo) == 0 {
		return nil
	}
	err = a.write(ctx, func() error {
		return a.w.Attester.AttestManifest(ctx, p.Repository, p.Manifest, p.PredicateType, p.Statement, todo...)
	}, func() (observed, error) {
		left, _, err := missing()
		if err != nil || len(left) > 0 {
			// A retry writes only what is still missing: a format
			// that landed before the failure is not attested twice.
			if err == nil {
				todo = left
			}
			return absent, err
		}
		return landed, nil
	})
	if err != nil {
		return fmt.Errorf("attest %s@%s: %w", p.Repository, p.Manifest, err)
	}
	left, reason, err := missing()
	if err != nil {
		return fmt.Errorf("confirm the attestation of %s@%s: %w", p.Repository, p.Manifest, err)
	}
	if len(left) > 0 {
		return fmt.Errorf("the attestation of %s@%s does not verify in the %s format after attesting: %s", p.Repository, p.Manifest, left[0], reason)
	}
	return nil
}
