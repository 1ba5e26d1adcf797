package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

func ExampleClient_DownloadFile() {
	srv := hubtest.NewServer()
	defer srv.Close()
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{"config.json": []byte(`{"model_type": "bert"}`)}})
	cache, _ := os.MkdirTemp("", "hub-example")
	defer os.RemoveAll(cache)

	c, err := hub.NewClient(hub.WithEndpoint(srv.URL), hub.WithCacheDir(cache))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := c.DownloadFile(context.Background(), "hfgo/tiny", "config.json", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(cache, p)
	fmt.Println(strings.Replace(filepath.ToSlash(rel), commit, "<commit>", 1))
	b, _ := os.ReadFile(p)
	fmt.Println(string(b))
	// Output:
	// models--hfgo--tiny/snapshots/<commit>/config.json
	// {"model_type": "bert"}
}

func ExampleClient_SnapshotDownload() {
	srv := hubtest.NewServer()
	defer srv.Close()
	srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: map[string][]byte{
		"config.json":       []byte(`{}`),
		"vocab.txt":         []byte("[UNK]\n"),
		"model.safetensors": make([]byte, 64),
		"tf_model.h5":       make([]byte, 64),
	}})
	cache, _ := os.MkdirTemp("", "hub-example")
	defer os.RemoveAll(cache)
	c, _ := hub.NewClient(hub.WithEndpoint(srv.URL), hub.WithCacheDir(cache))

	dir, err := c.SnapshotDownload(context.Background(), "hfgo/tiny", &hub.SnapshotOptions{Select: hub.SelectDefault})
	if err != nil {
		fmt.Println(err)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// config.json
	// model.safetensors
	// vocab.txt
}
