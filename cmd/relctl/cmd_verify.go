package main

import (
	"github.com/spf13/cobra"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/cmd/relctl/views"
	"github.com/relctl/relctl/state"
)

func verifyCmd(g *globals, env *Env) *cobra.Command {
	var asJSON, rebuild bool
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
digest; with an artifacthub block, each chart repository's artifacthub.io
tag and the pages branch's artifacthub-repo.yml hold the block's metadata.
Exit 1 when any check fails.

What the published chart is compared with (each chart's registry line says
which): with signing on, a chart whose folder is clean and committed as the
git tree its manifest's source stamp names, the manifest's signature
verifying for the configured key or identity, is taken from that signed
stamp, without packaging it; any other chart (signing off, no stamp, a
dirty or changed folder, a signature missing or not valid) is packaged again
and the published chart compared with that rebuild, byte for byte.
--rebuild packages every chart: a reproducibility audit.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// The stamp is a claim until the manifest's signature
			// verifies: signedStamps.
			po := planOptions{all: true, only: args, exact: rebuild, signedStamps: true}
			// The release files verify reads are downloaded as soon as
			// the release list is known, during the observation.
			var early *ci.Prefetch
			po.ready = func(b *backend) {
				if b.releases != nil {
					early = ci.NewPrefetch(ctx, b.releases)
					b.listed = func(rels []state.Release) { early.Releases(b.spec, rels) }
				}
			}
			o, err := observe(ctx, g, env, po, forReading)
			if err != nil {
				return err
			}
			r := ci.VerifyReaders{}
			if o.backend.signer != nil {
				r.Blobs = o.backend.signer
			}
			if early != nil {
				r.Assets = early
			}
			v, err := ci.Verify(ctx, o.spec, o.snap, r)
			if err != nil {
				return err
			}
			v.Checks = append(v.Checks, ci.VerifyArtifactHub(o.spec, o.plan)...)
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
	cmd.Flags().BoolVar(&rebuild, "rebuild", false, "package every chart and compare the published one with the rebuild, trusting no signed source stamp")
	return cmd
}
