package hub

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadEnvironment(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("  hf_fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "token"), []byte("hf_homefile"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want environment
	}{
		{
			name: "defaults",
			env:  map[string]string{"HOME": "/home/u"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/home/u/.cache/huggingface", cacheDir: "/home/u/.cache/huggingface/hub"},
		},
		{
			name: "XDG cache",
			env:  map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/xdg/huggingface", cacheDir: "/xdg/huggingface/hub"},
		},
		{
			name: "HF_HOME with tilde, endpoint slash stripped",
			env:  map[string]string{"HOME": "/home/u", "HF_HOME": "~/hf", "HF_ENDPOINT": "https://mirror.example/hf/"},
			want: environment{endpoint: "https://mirror.example/hf", hfHome: "/home/u/hf", cacheDir: "/home/u/hf/hub"},
		},
		{
			name: "HF_HUB_CACHE before HUGGINGFACE_HUB_CACHE",
			env:  map[string]string{"HOME": "/h", "HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/b"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/a"},
		},
		{
			name: "legacy HUGGINGFACE_HUB_CACHE",
			env:  map[string]string{"HOME": "/h", "HUGGINGFACE_HUB_CACHE": "/b"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/b"},
		},
		{
			name: "HF_TOKEN first",
			env:  map[string]string{"HOME": "/h", "HF_TOKEN": " hf_a ", "HUGGING_FACE_HUB_TOKEN": "hf_b", "HF_TOKEN_PATH": tokenFile},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/h/.cache/huggingface/hub", token: "hf_a"},
		},
		{
			name: "HUGGING_FACE_HUB_TOKEN second",
			env:  map[string]string{"HOME": "/h", "HUGGING_FACE_HUB_TOKEN": "hf_b", "HF_TOKEN_PATH": tokenFile},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/h/.cache/huggingface/hub", token: "hf_b"},
		},
		{
			name: "HF_TOKEN_PATH stripped",
			env:  map[string]string{"HOME": "/h", "HF_TOKEN_PATH": tokenFile},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/h/.cache/huggingface/hub", token: "hf_fromfile"},
		},
		{
			name: "token file in HF_HOME",
			env:  map[string]string{"HF_HOME": home},
			want: environment{endpoint: DefaultEndpoint, hfHome: home, cacheDir: filepath.Join(home, "hub"), token: "hf_homefile"},
		},
		{
			name: "switches",
			env: map[string]string{"HOME": "/h", "HF_HUB_OFFLINE": "yes", "HF_HUB_DISABLE_SYMLINKS": "ON",
				"HF_HUB_DISABLE_IMPLICIT_TOKEN": "1", "HF_HUB_ETAG_TIMEOUT": "2.5", "HF_HUB_DOWNLOAD_TIMEOUT": "30"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/h/.cache/huggingface/hub",
				offline: true, disableSymlinks: true, disableImplicitToken: true,
				etagTimeout: 2500 * time.Millisecond, downloadTimeout: 30 * time.Second},
		},
		{
			name: "false values",
			env:  map[string]string{"HOME": "/h", "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_SYMLINKS": "no"},
			want: environment{endpoint: DefaultEndpoint, hfHome: "/h/.cache/huggingface", cacheDir: "/h/.cache/huggingface/hub"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := readEnvironment(func(k string) string { return tc.env[k] })
			if tc.want.etagTimeout == 0 {
				tc.want.etagTimeout, tc.want.downloadTimeout = 10*time.Second, 10*time.Second
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(environment{})); diff != "" {
				t.Errorf("readEnvironment (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewClientOptionsOverrideEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOME": "/h", "HF_ENDPOINT": "https://env.example", "HF_TOKEN": "hf_env", "HF_HUB_OFFLINE": "1"}
	c, err := NewClient(WithEnv(func(k string) string { return env[k] }), WithEndpoint("http://127.0.0.1:9/base/"), WithCacheDir("/c"), WithToken("hf_explicit"), WithOffline(false))
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "http://127.0.0.1:9/base" || c.CacheDir() != "/c" || c.Offline() || c.token != "hf_explicit" {
		t.Errorf("options not applied: %s", c)
	}
	c, err = NewClient(WithEnv(func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != "https://env.example" || !c.Offline() || c.token != "hf_env" {
		t.Errorf("environment not applied: %s", c)
	}
	env["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "true"
	if c, _ := NewClient(WithEnv(func(k string) string { return env[k] })); c.HasToken() {
		t.Error("HF_HUB_DISABLE_IMPLICIT_TOKEN: the environment's token is still sent")
	}
	if c, _ := NewClient(WithEnv(func(k string) string { return env[k] }), WithToken("hf_x")); !c.HasToken() {
		t.Error("HF_HUB_DISABLE_IMPLICIT_TOKEN must not drop an explicit token")
	}
	if _, err := NewClient(WithEnv(noEnv), WithEndpoint("ftp://x")); err == nil {
		t.Error("an ftp endpoint was accepted")
	}
}
