package helm

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/providers/helm/helmtest"
	"github.com/relctl/relctl/providers/oci"
	"github.com/relctl/relctl/providers/oci/ocitest"
	"github.com/relctl/relctl/state"
)

func TestResolve_aliasRepositoryFromRepositoriesYAMLWithItsCredentials(t *testing.T) {
	repo := repoWith(t, helmtest.Options{Username: "ada", Password: "s3cret-repo-pass"}, "common@1.0.0")
	cfg := filepath.Join(t.TempDir(), "repositories.yaml")
	writeFile(t, cfg, fmt.Sprintf("apiVersion: v1\nrepositories:\n- name: acme\n  url: %s\n  username: ada\n  password: s3cret-repo-pass\n", repo.URL()), 0o644)
	for _, ref := range []string{"@acme", "alias:acme"} {
		c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: \""+ref+"\"\n")
		pkg := mustPackage(t, newTestPackager(Options{RepositoryConfig: cfg}), c)
		d := pkg.Dependencies[0]
		if d.Version != "1.0.0" || d.Repository != ref || d.Source != state.SourceHTTP {
			t.Errorf("%s resolved to %+v", ref, d)
		}
		// helm locks the repository's URL, not the alias.
		if lock := archiveFiles(t, pkg.Archive)["app/Chart.lock"]; !strings.Contains(lock, "repository: "+repo.URL()) {
			t.Errorf("%s: Chart.lock does not carry the URL:\n%s", ref, lock)
		}
		if strings.Contains(fmt.Sprint(pkg.Dependencies), "s3cret") {
			t.Errorf("the repository password shows in %v", pkg.Dependencies)
		}
	}
}

func TestResolve_aliasRepositoryWithoutRepositoriesYAMLBlocksNamingChartAndDependency(t *testing.T) {
	c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: \"@acme\"\n")
	for _, cfg := range []string{"", filepath.Join(t.TempDir(), "absent.yaml")} {
		why := mustBlock(t, newTestPackager(Options{RepositoryConfig: cfg}), c)
		if !strings.Contains(why, "chart app") || !strings.Contains(why, `dependency "common"`) || !strings.Contains(why, "@acme") {
			t.Errorf("config %q: blocked %q, want the chart, the dependency and the alias named", cfg, why)
		}
	}
	other := filepath.Join(t.TempDir(), "repositories.yaml")
	writeFile(t, other, "apiVersion: v1\nrepositories:\n- name: bitnami\n  url: https://charts.bitnami.com/bitnami\n", 0o644)
	if why := mustBlock(t, newTestPackager(Options{RepositoryConfig: other}), c); !strings.Contains(why, `no repository named "acme"`) {
		t.Errorf("blocked %q, want it to say the file has no acme", why)
	}
}

// pushChart packages a chart folder and pushes it to the registry, as a
// release of another project would.
func pushChart(t testing.TB, client *oci.Client, repository string, c config.Chart) {
	t.Helper()
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	if _, err := client.Push(context.Background(), repository+"/"+c.Name, c.Version, pkg); err != nil {
		t.Fatalf("push %s: %v", c.Name, err)
	}
}

func startRegistry(t testing.TB) (*ocitest.Server, *oci.Client) {
	t.Helper()
	reg, err := ocitest.Start(context.Background(), ocitest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	client, err := oci.New(oci.Options{Getenv: func(string) string { return "" }, Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return reg, client
}

func TestResolve_ociConstraintFromTagsWithUnderscoreReadAsPlus(t *testing.T) {
	reg, client := startRegistry(t)
	upstream := reg.Host + "/upstream"
	src := t.TempDir()
	for _, v := range []string{"1.0.0", "1.2.0+build.5", "1.3.0-beta.1", "2.0.0"} {
		pushChart(t, client, upstream, depChart(t, filepath.Join(src, v), "common", v, ""))
	}
	for _, tc := range []struct{ constraint, want string }{
		{"^1.0.0", "1.2.0+build.5"},
		{"1.0.0", "1.0.0"},
		{">=1.3.0-0 <2", "1.3.0-beta.1"},
		{"*", "2.0.0"},
	} {
		c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: common\n    version: \""+tc.constraint+"\"\n    repository: oci://"+upstream+"\n")
		pkg := mustPackage(t, newTestPackager(Options{OCI: client}), c)
		d := pkg.Dependencies[0]
		if d.Version != tc.want || d.Source != state.SourceOCI || d.URL != "oci://"+upstream+"/common:"+strings.ReplaceAll(tc.want, "+", "_") {
			t.Errorf("%q resolved to %+v, want %s", tc.constraint, d, tc.want)
		}
		if !strings.Contains(archiveFiles(t, pkg.Archive)["app/charts/common/Chart.yaml"], "version: "+tc.want) {
			t.Errorf("%q: package does not hold common %s", tc.constraint, tc.want)
		}
	}
}

func TestResolve_fileDependencyIsPackagedWithItsOwnDependencies(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "base@3.0.0")
	root := t.TempDir()
	depChart(t, root, "lib", "0.5.0", "  - name: base\n    version: 3.x\n    repository: "+repo.URL()+"\n")
	c := depChart(t, root, "app", "1.0.0", "  - name: lib\n    version: ~0.5\n    repository: file://../lib\n")
	pkg := mustPackage(t, newTestPackager(Options{}), c)
	files := archiveFiles(t, pkg.Archive)
	for _, want := range []string{"app/charts/lib/Chart.yaml", "app/charts/lib/Chart.lock", "app/charts/lib/charts/base/Chart.yaml"} {
		if _, ok := files[want]; !ok {
			t.Errorf("package lacks %s", want)
		}
	}
	if d := pkg.Dependencies[0]; d.Source != state.SourceFile || d.Version != "0.5.0" || d.Sibling {
		t.Errorf("dependency %+v", d)
	}
}

func TestResolve_siblingsAreTakenFromTheirFoldersUnpublished(t *testing.T) {
	_, client := startRegistry(t)
	root := t.TempDir()
	common := depChart(t, root, "common", "2.0.0", "")
	viaOCI := depChart(t, root, "web", "1.0.0", "  - name: common\n    version: ^2.0.0\n    repository: oci://registry.example/acme/charts\n")
	viaFile := depChart(t, root, "worker", "1.0.0", "  - name: common\n    version: ^2.0.0\n    repository: file://../common\n")
	p := newTestPackager(Options{OCI: client, Registry: "registry.example/acme/charts", Siblings: []config.Chart{common, viaOCI, viaFile}})
	commonPkg := mustPackage(t, p, common)
	for _, c := range []config.Chart{viaOCI, viaFile} {
		pkg := mustPackage(t, p, c)
		d := pkg.Dependencies[0]
		if !d.Sibling || d.Source != state.SourceSibling || d.Digest != commonPkg.Digest || d.Version != "2.0.0" {
			t.Errorf("%s: dependency %+v, want the sibling common at %s", c.Name, d, commonPkg.Digest)
		}
	}
	// A sibling whose version does not satisfy the constraint is not taken:
	// the registry is asked, and has nothing.
	old := depChart(t, root, "legacy", "1.0.0", "  - name: common\n    version: ^1.0.0\n    repository: oci://"+"127.0.0.1:1/acme/charts"+"\n")
	p = newTestPackager(Options{OCI: client, Registry: "127.0.0.1:1/acme/charts", Siblings: []config.Chart{common, old}})
	if why := mustBlock(t, p, old); !strings.Contains(why, `dependency "common"`) {
		t.Errorf("blocked %q", why)
	}
}

func TestResolve_siblingCycleBlocksEveryChartOnItNamingTheCycle(t *testing.T) {
	root := t.TempDir()
	a := depChart(t, root, "a", "1.0.0", "  - name: b\n    version: 1.0.0\n    repository: file://../b\n")
	b := depChart(t, root, "b", "1.0.0", "  - name: a\n    version: 1.0.0\n    repository: file://../a\n")
	top := depChart(t, root, "top", "1.0.0", "  - name: a\n    version: 1.0.0\n    repository: file://../a\n")
	p := newTestPackager(Options{Siblings: []config.Chart{a, b, top}})
	for _, c := range []config.Chart{a, b} {
		if why := mustBlock(t, p, c); !strings.Contains(why, "a → b → a") {
			t.Errorf("%s blocked %q, want the cycle a → b → a", c.Name, why)
		}
	}
	if why := mustBlock(t, p, top); !strings.Contains(why, "a → b → a") {
		t.Errorf("top blocked %q, want the cycle named", why)
	}
}

func TestResolve_ociChartAbsentFromTheRegistryBlocksNamingIt(t *testing.T) {
	reg, client := startRegistry(t)
	for _, version := range []string{"^1.0.0", "1.0.0"} {
		c := depChart(t, t.TempDir(), "app", "1.0.0", "  - name: nope\n    version: \""+version+"\"\n    repository: oci://"+reg.Host+"/upstream\n")
		why := mustBlock(t, newTestPackager(Options{OCI: client}), c)
		if !strings.Contains(why, `chart app: dependency "nope"`) || !strings.Contains(why, "upstream") || strings.Count(why, "list tags") > 1 {
			t.Errorf("version %s: blocked %q", version, why)
		}
	}
}

func TestPackage_offlineMakesNoRequestYetChecksWhatIsLocal(t *testing.T) {
	repo := repoWith(t, helmtest.Options{}, "common@1.0.0")
	root := t.TempDir()
	depChart(t, root, "lib", "0.5.0", "")
	c := depChart(t, root, "app", "1.0.0", "  - name: common\n    version: 1.0.0\n    repository: "+repo.URL()+"\n"+
		"  - name: lib\n    version: 0.5.0\n    repository: file://../lib\n")
	pkg := mustPackage(t, newTestPackager(Options{Offline: true}), c)
	if n := len(repo.Requests()); n != 0 {
		t.Errorf("offline packaging made %d requests", n)
	}
	if len(pkg.Dependencies) != 2 || pkg.Dependencies[0].Version != "" || pkg.Dependencies[1].Version != "0.5.0" {
		t.Errorf("dependencies %+v, want common unresolved and lib 0.5.0", pkg.Dependencies)
	}
	if _, ok := archiveFiles(t, pkg.Archive)["app/Chart.lock"]; ok {
		t.Errorf("an offline package that lacks common got a Chart.lock")
	}
	// Offline still sees a stale lock.
	writeFile(t, filepath.Join(c.Dir, "Chart.lock"), "dependencies:\n- name: common\n  repository: x\n  version: 1.0.0\ndigest: sha256:00\ngenerated: \"2024-01-02T03:04:05Z\"\n", 0o644)
	if why := mustBlock(t, newTestPackager(Options{Offline: true}), c); !strings.Contains(why, "Chart.lock is out of date") {
		t.Errorf("blocked %q", why)
	}
}
