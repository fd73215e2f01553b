package planner

import (
	"context"
	"errors"
	"fmt"

	"github.com/relctl/relctl/provenance"
)

// attest attaches the planned provenance unless an equal one (same build
// definition, valid for the configured key or identity) appeared since the
// plan, as an interrupted run leaves it. An attempt whose outcome is
// unknown is checked the same way before it is tried again, so a statement
// is attested once.
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
	present := func() (bool, string, error) {
		st, err := a.w.Attester.VerifyAttestations(ctx, p.Repository, p.Manifest)
		if err != nil {
			return false, "", err
		}
		for _, v := range st.Verified {
			if v.PredicateType != p.PredicateType {
				continue
			}
			if same, _, err := provenance.Compare(v.Statement, p.Statement, p.Manifest); err != nil || same {
				return same, st.Reason, err
			}
		}
		return false, st.Reason, nil
	}
	ok, _, err := present()
	if err != nil {
		return fmt.Errorf("check attestations of %s@%s: %w", p.Repository, p.Manifest, err)
	}
	if ok {
		return nil
	}
	err = a.write(ctx, func() error {
		return a.w.Attester.AttestManifest(ctx, p.Repository, p.Manifest, p.PredicateType, p.Statement)
	}, func() (observed, error) {
		if ok, _, err := present(); err != nil || !ok {
			return absent, err
		}
		return landed, nil
	})
	if err != nil {
		return fmt.Errorf("attest %s@%s: %w", p.Repository, p.Manifest, err)
	}
	ok, reason, err := present()
	if err != nil {
		return fmt.Errorf("confirm the attestation of %s@%s: %w", p.Repository, p.Manifest, err)
	}
	if !ok {
		return fmt.Errorf("the attestation of %s@%s does not verify after attesting: %s", p.Repository, p.Manifest, reason)
	}
	return nil
}
