package main

import (
	"os"
	"testing"

	"helm.sh/helm/v3/pkg/helmpath"
)

// TestRepositoryConfig_isWhereHelmLooks: relctl finds helm's
// repositories.yaml where helm itself does (helmpath, which the binary does
// not link), in each case of helm's lookup order.
func TestRepositoryConfig_isWhereHelmLooks(t *testing.T) {
	home := t.TempDir()
	cases := []struct {
		name string
		env  map[string]string
	}{
		{"HELM_CONFIG_HOME", map[string]string{"HELM_CONFIG_HOME": home + "/helm-config", "XDG_CONFIG_HOME": home + "/xdg"}},
		{"XDG_CONFIG_HOME", map[string]string{"HELM_CONFIG_HOME": "", "XDG_CONFIG_HOME": home + "/xdg"}},
		{"platform default", map[string]string{"HELM_CONFIG_HOME": "", "XDG_CONFIG_HOME": ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("APPDATA", home+"/AppData")
			t.Setenv("HELM_REPOSITORY_CONFIG", "")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			got := repositoryConfig(&Env{Getenv: os.Getenv})
			if want := helmpath.ConfigPath("repositories.yaml"); got != want {
				t.Errorf("repositories.yaml at %s, helm looks at %s", got, want)
			}
		})
	}
	t.Setenv("HELM_REPOSITORY_CONFIG", home+"/repos.yaml")
	if got := repositoryConfig(&Env{Getenv: os.Getenv}); got != home+"/repos.yaml" {
		t.Errorf("with HELM_REPOSITORY_CONFIG set, repositories.yaml at %s", got)
	}
}
