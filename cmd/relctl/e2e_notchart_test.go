package main

import (
	"context"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
)

// TestE2E_tagHoldingAnImageBlocksThatChartAndTheOthersPlan: a container
// image already sits at one chart's tag. The plan blocks that chart with
// the reason instead of aborting, and plans the other chart normally.
func TestE2E_tagHoldingAnImageBlocksThatChartAndTheOthersPlan(t *testing.T) {
	h := newHarness(t)
	h.chart("alpha", "1.0.0")
	h.chart("beta", "0.2.0")
	h.registryOnly("")
	ctx := context.Background()
	repo, err := remote.NewRepository(h.reg.Host + "/acme/charts/beta")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	layer, err := oras.PushBytes(ctx, repo, ocispec.MediaTypeImageLayerGzip, []byte("an application layer"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := oras.PushBytes(ctx, repo, ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux"}`))
	if err != nil {
		t.Fatal(err)
	}
	desc, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{ConfigDescriptor: &cfg, Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Tag(ctx, desc, "0.2.0"); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := h.relctl("plan", "--no-color")

	want := h.reg.Host + "/acme/charts/beta:0.2.0 holds a container image (application/vnd.oci.image.config.v1+json), not a Helm chart"
	if code != exitError {
		t.Errorf("plan exited %d, want 1 (a blocked change)", code)
	}
	if !strings.Contains(out, want) {
		t.Errorf("plan does not give the reason %q:\nstdout:\n%s\nstderr:\n%s", want, out, stderr)
	}
	if !strings.Contains(out, "oci_chart.alpha") || !strings.Contains(out, "1 to create") {
		t.Errorf("plan does not plan alpha normally:\n%s", out)
	}
}
