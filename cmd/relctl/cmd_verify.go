package main

import (
	"github.com/spf13/cobra"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/cmd/relctl/views"
)

func verifyCmd(g *globals, env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [CHART...]",
		Short: "Check published digests and signatures",
		Long: `Check what is published for each declared chart version (or the named
charts): the registry holds the chart, its signature verifies for the
configured key or identity, the release is published, the release's .tgz is
the registry's chart layer byte for byte, and its signature files verify
against it (.tgz.sig and .tgz.pem together; .tgz.sigstore.json, the Sigstore
bundle, with signing.format "bundle" or "both"); with signing { provenance =
true }, the manifest has a valid SLSA provenance attestation naming its
digest. Exit 1 when any check fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o, err := observe(ctx, g, env, planOptions{all: true, only: args, exact: true}, forReading)
			if err != nil {
				return err
			}
			r := ci.VerifyReaders{}
			if o.backend.signer != nil {
				r.Blobs = o.backend.signer
			}
			if o.backend.releases != nil {
				r.Assets = o.backend.releases
			}
			v, err := ci.Verify(ctx, o.spec, o.snap, r)
			if err != nil {
				return err
			}
			if asJSON {
				err = views.VerifyJSON(env.Stdout, v)
			} else {
				err = views.Verify(env.Stdout, v, g.style(env))
			}
			if err != nil {
				return err
			}
			if !v.OK() {
				return exitWith(exitError, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks in the versioned JSON format")
	return cmd
}
