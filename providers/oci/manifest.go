package oci

import (
	"encoding/json"
	"errors"
	"fmt"

	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"github.com/relctl/relctl/naming"
	"github.com/relctl/relctl/state"
)

// Media types of helm's OCI layout (helm v3.22 pkg/registry/constants.go).
const (
	ConfigMediaType     = "application/vnd.cncf.helm.config.v1+json"
	ChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	// legacyChartLayerMediaType is what helm 3.7 and older pushed; helm
	// still pulls it, so FetchChart reads it too.
	legacyChartLayerMediaType = "application/tar+gzip"
)

// Tag is the OCI tag of a chart version: naming.OCITag, helm's rule ('+'
// becomes '_'), so `helm pull --version 1.2.3+build.1` finds what relctl
// pushed.
func Tag(version string) string { return naming.OCITag(version) }

// ManifestFor returns the exact manifest Push writes for pkg, and its
// descriptor (media type application/vnd.oci.image.manifest.v1+json, digest,
// size). It performs no IO.
//
// The bytes are those helm v3.22's registry client produces for the same
// archive, config and annotations (pkg/registry client.go tagManifest):
// json.Marshal of an ocispec.Manifest with schemaVersion 2, the config, one
// chart layer and the annotations. Like helm, the JSON carries no
// "mediaType" and no "artifactType" field; the media type travels in the
// Content-Type of the PUT. Adding either field would change the digest, so a
// chart pushed by relctl would not be the one `helm push` publishes.
// Annotation keys are sorted by encoding/json, so the bytes are
// deterministic.
func ManifestFor(pkg *state.Package) ([]byte, ocispec.Descriptor, error) {
	if err := checkPackage(pkg); err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	config, layer := blobDescriptors(pkg)
	manifest := ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		Config:      config,
		Layers:      []ocispec.Descriptor{layer},
		Annotations: pkg.Annotations,
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		return nil, ocispec.Descriptor{}, fmt.Errorf("manifest for %s: %w", packageName(pkg), err)
	}
	return data, content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, data), nil
}

// ManifestDigest is the digest ("sha256:...") of the manifest Push writes
// for pkg, computed locally without a request. It lets a plan tell "the tag
// already holds exactly this package" from a single Resolve.
func (c *Client) ManifestDigest(pkg *state.Package) (string, error) {
	_, desc, err := ManifestFor(pkg)
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}

// blobDescriptors describes the config and chart layer blobs exactly as
// helm's oras.PushBytes does: media type, digest and size, nothing else.
func blobDescriptors(pkg *state.Package) (config, layer ocispec.Descriptor) {
	return content.NewDescriptorFromBytes(ConfigMediaType, pkg.Config),
		content.NewDescriptorFromBytes(ChartLayerMediaType, pkg.Archive)
}

// checkPackage refuses a package that cannot be what it claims: pushing it
// would publish bytes other than the ones the plan compared.
func checkPackage(pkg *state.Package) error {
	if pkg == nil {
		return errors.New("package: nil")
	}
	name := packageName(pkg)
	if len(pkg.Archive) == 0 {
		return fmt.Errorf("package %s: empty archive", name)
	}
	if len(pkg.Config) == 0 {
		return fmt.Errorf("package %s: empty config (the JSON of Chart.yaml)", name)
	}
	if !json.Valid(pkg.Config) {
		return fmt.Errorf("package %s: config is not JSON", name)
	}
	if pkg.Digest != "" {
		got := content.NewDescriptorFromBytes(ChartLayerMediaType, pkg.Archive).Digest.String()
		if got != pkg.Digest {
			return fmt.Errorf("package %s: archive digest is %s, package records %s", name, got, pkg.Digest)
		}
	}
	return nil
}

func packageName(pkg *state.Package) string {
	switch {
	case pkg.FileName != "":
		return pkg.FileName
	case pkg.Chart != "":
		return pkg.Chart + "-" + pkg.Version + ".tgz"
	}
	return "(unnamed)"
}
