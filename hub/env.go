package hub

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultEndpoint is the Hub's address when neither HF_ENDPOINT nor
// WithEndpoint says otherwise.
const DefaultEndpoint = "https://huggingface.co"

// environment is the part of the configuration read from the environment,
// exactly as huggingface_hub reads it.
type environment struct {
	endpoint             string
	hfHome               string
	cacheDir             string
	token                string
	offline              bool
	disableSymlinks      bool
	disableImplicitToken bool
	etagTimeout          time.Duration
	downloadTimeout      time.Duration
}

// readEnvironment resolves HF_* variables through getenv.
func readEnvironment(getenv func(string) string) environment {
	var e environment
	e.endpoint = strings.TrimRight(strings.TrimSpace(getenv("HF_ENDPOINT")), "/")
	if e.endpoint == "" {
		e.endpoint = DefaultEndpoint
	}
	e.hfHome = hfHome(getenv)
	e.cacheDir = expandHome(getenv, firstNonEmpty(getenv("HF_HUB_CACHE"), getenv("HUGGINGFACE_HUB_CACHE")))
	if e.cacheDir == "" {
		e.cacheDir = filepath.Join(e.hfHome, "hub")
	}
	e.offline = isTrue(getenv("HF_HUB_OFFLINE"))
	e.disableSymlinks = isTrue(getenv("HF_HUB_DISABLE_SYMLINKS"))
	e.disableImplicitToken = isTrue(getenv("HF_HUB_DISABLE_IMPLICIT_TOKEN"))
	e.etagTimeout = secondsOr(getenv("HF_HUB_ETAG_TIMEOUT"), 10*time.Second)
	e.downloadTimeout = secondsOr(getenv("HF_HUB_DOWNLOAD_TIMEOUT"), 10*time.Second)
	e.token = readToken(getenv, e.hfHome)
	return e
}

// hfHome is HF_HOME, else $XDG_CACHE_HOME/huggingface, else
// ~/.cache/huggingface.
func hfHome(getenv func(string) string) string {
	if h := getenv("HF_HOME"); h != "" {
		return expandHome(getenv, h)
	}
	if x := getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(expandHome(getenv, x), "huggingface")
	}
	return filepath.Join(homeDir(getenv), ".cache", "huggingface")
}

// readToken returns HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the content
// of HF_TOKEN_PATH ($HF_HOME/token), whitespace stripped; "" when none.
func readToken(getenv func(string) string, home string) string {
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if t := strings.TrimSpace(getenv(name)); t != "" {
			return t
		}
	}
	path := expandHome(getenv, getenv("HF_TOKEN_PATH"))
	if path == "" {
		path = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// isTrue is huggingface_hub's _is_true: 1, ON, YES or TRUE in any case.
func isTrue(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

func secondsOr(v string, def time.Duration) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 {
		return def
	}
	return time.Duration(f * float64(time.Second))
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// expandHome expands a leading ~ as Python's os.path.expanduser does.
func expandHome(getenv func(string) string, p string) string {
	if p == "~" {
		return homeDir(getenv)
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(homeDir(getenv), p[2:])
	}
	return p
}
