package helm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// ociMetadata returns what helm's registry client pushes beside the chart
// archive: the config blob and the manifest annotations. It follows helm
// v3.22.0's pkg/registry Client.Push, which reads the metadata back from the
// archive (extractChartMeta: loader.LoadArchive) rather than from the
// folder; doing the same keeps the two equal even where loading changes the
// metadata (a v1 chart's requirements.yaml becomes its dependencies).
func ociMetadata(archive []byte, created time.Time) ([]byte, map[string]string, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		return nil, nil, fmt.Errorf("read back the package: %w", err)
	}
	config, err := json.Marshal(ch.Metadata)
	if err != nil {
		return nil, nil, fmt.Errorf("encode OCI config of %s: %w", ch.Name(), err)
	}
	// `helm push` passes the archive file's mtime as the creation time,
	// formatted RFC 3339 (pkg/pusher/ocipusher.go); the package time plays
	// that part here.
	return config, ociAnnotations(ch.Metadata, created.UTC().Format(time.RFC3339)), nil
}

// immutableOCIAnnotations are the keys a chart's own annotations cannot
// override (helm's immutableOciAnnotations).
var immutableOCIAnnotations = map[string]bool{
	ocispec.AnnotationVersion: true,
	ocispec.AnnotationTitle:   true,
}

// ociAnnotations is a port of helm v3.22.0's unexported
// generateOCIAnnotations (pkg/registry/util.go): the standard
// org.opencontainers.image.* keys from the metadata, each only when its value
// is not blank, then the chart's own annotations except title and version.
// A chart annotation may thus override description, created, and the rest,
// as it can with helm.
func ociAnnotations(meta *chart.Metadata, created string) map[string]string {
	out := map[string]string{}
	add := func(key, value string) {
		if strings.TrimSpace(value) != "" {
			out[key] = value
		}
	}
	add(ocispec.AnnotationDescription, meta.Description)
	add(ocispec.AnnotationTitle, meta.Name)
	add(ocispec.AnnotationVersion, meta.Version)
	add(ocispec.AnnotationURL, meta.Home)
	add(ocispec.AnnotationCreated, created)
	if len(meta.Sources) > 0 {
		add(ocispec.AnnotationSource, meta.Sources[0])
	}
	if len(meta.Maintainers) > 0 {
		var authors strings.Builder
		for i, m := range meta.Maintainers {
			// helm would panic on a nil maintainer; Chart.Validate refuses
			// one before we get here, but stay safe.
			if m != nil {
				authors.WriteString(m.Name)
				if m.Email != "" {
					authors.WriteString(" (" + m.Email + ")")
				}
			}
			if i < len(meta.Maintainers)-1 {
				authors.WriteString(", ")
			}
		}
		add(ocispec.AnnotationAuthors, authors.String())
	}
	for k, v := range meta.Annotations {
		if !immutableOCIAnnotations[k] {
			out[k] = v
		}
	}
	return out
}
