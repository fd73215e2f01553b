package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// isolate points everything cosign might read on its own (docker
// credentials, the TUF cache) at empty temporary folders, so a test never
// uses the machine's state or the network.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("TUF_ROOT", t.TempDir())
}

// env is a Getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func startRegistry(t *testing.T) *ocitest.Server {
	t.Helper()
	reg, err := ocitest.Start(context.Background(), ocitest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// registryLogins holds the credentials of registries started with auth,
// by host, for the fixture's own pushes.
var registryLogins = map[string]auth.Credential{}

func startRegistryWithLogin(t *testing.T, user, password string) *ocitest.Server {
	t.Helper()
	reg, err := ocitest.Start(context.Background(), ocitest.Options{Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	registryLogins[reg.Host] = auth.Credential{Username: user, Password: password}
	t.Cleanup(func() {
		reg.Close()
		delete(registryLogins, reg.Host)
	})
	return reg
}

func repository(t testing.TB, reg *ocitest.Server, name string) *remote.Repository {
	t.Helper()
	repo, err := remote.NewRepository(reg.Host + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	if cred, ok := registryLogins[reg.Host]; ok {
		repo.Client = &auth.Client{Credential: auth.StaticCredential(reg.Host, cred)}
	}
	return repo
}

// pushChart pushes a helm-like chart manifest (config + one chart layer,
// tagged with the version) and returns its repository and manifest digest.
func pushChart(t testing.TB, reg *ocitest.Server, name, version string) (repoName, manifestDigest string) {
	t.Helper()
	ctx := context.Background()
	repo := repository(t, reg, "charts/"+name)
	push := func(mediaType string, b []byte) ocispec.Descriptor {
		desc := content.NewDescriptorFromBytes(mediaType, b)
		if err := repo.Push(ctx, desc, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		return desc
	}
	cfg := push("application/vnd.cncf.helm.config.v1+json", []byte(`{"name":"`+name+`","version":"`+version+`"}`))
	layer := push("application/vnd.cncf.helm.chart.content.v1.tar+gzip", []byte("chart "+name+" "+version))
	desc, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "", oras.PackManifestOptions{
		ConfigDescriptor: &cfg,
		Layers:           []ocispec.Descriptor{layer},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Tag(ctx, desc, version); err != nil {
		t.Fatal(err)
	}
	return reg.Host + "/charts/" + name, desc.Digest.String()
}

func sigTag(manifestDigest string) string {
	return strings.Replace(manifestDigest, ":", "-", 1) + ".sig"
}

// sigManifest fetches the signature tag's manifest as generic JSON, so a
// test can inspect and alter it without losing fields.
func sigManifest(t *testing.T, reg *ocitest.Server, repoName, manifestDigest string) map[string]any {
	t.Helper()
	repo := repository(t, reg, strings.TrimPrefix(repoName, reg.Host+"/"))
	_, rc, err := repo.FetchReference(context.Background(), sigTag(manifestDigest))
	if err != nil {
		t.Fatalf("fetch %s: %v", sigTag(manifestDigest), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sigLayers(t *testing.T, reg *ocitest.Server, repoName, manifestDigest string) []any {
	t.Helper()
	layers, _ := sigManifest(t, reg, repoName, manifestDigest)["layers"].([]any)
	return layers
}

// tamperSignature flips one bit of the first layer's signature annotation
// and pushes the altered manifest back under the signature tag.
func tamperSignature(t *testing.T, reg *ocitest.Server, repoName, manifestDigest string) {
	t.Helper()
	m := sigManifest(t, reg, repoName, manifestDigest)
	layer := m["layers"].([]any)[0].(map[string]any)
	ann := layer["annotations"].(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(ann["dev.cosignproject.cosign/signature"].(string))
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0x01
	ann["dev.cosignproject.cosign/signature"] = base64.StdEncoding.EncodeToString(raw)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	repo := repository(t, reg, strings.TrimPrefix(repoName, reg.Host+"/"))
	desc := content.NewDescriptorFromBytes(m["mediaType"].(string), b)
	if err := repo.PushReference(context.Background(), desc, bytes.NewReader(b), sigTag(manifestDigest)); err != nil {
		t.Fatal(err)
	}
}

// copySignatures copies the signature tag of one manifest onto another's,
// as an attacker replaying a valid signature would.
func copySignatures(t *testing.T, reg *ocitest.Server, repoName, fromDigest, toDigest string) {
	t.Helper()
	repo := repository(t, reg, strings.TrimPrefix(repoName, reg.Host+"/"))
	ctx := context.Background()
	if _, err := oras.Copy(ctx, repo, sigTag(fromDigest), repo, sigTag(toDigest), oras.DefaultCopyOptions); err != nil {
		t.Fatal(err)
	}
}

// assertNoSecret fails when an error message shows a secret.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}
