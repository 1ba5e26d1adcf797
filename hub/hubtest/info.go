package hubtest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

type lfsSibling struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int    `json:"pointerSize"`
}

type sibling struct {
	RFilename string      `json:"rfilename"`
	Size      *int64      `json:"size,omitempty"`
	BlobID    string      `json:"blobId,omitempty"`
	LFS       *lfsSibling `json:"lfs,omitempty"`
}

type repoInfo struct {
	ObjectID     string           `json:"_id"`
	ID           string           `json:"id"`
	ModelID      string           `json:"modelId,omitempty"`
	Author       string           `json:"author,omitempty"`
	SHA          string           `json:"sha"`
	LastModified string           `json:"lastModified"`
	CreatedAt    string           `json:"createdAt"`
	Private      bool             `json:"private"`
	Gated        any              `json:"gated"`
	Disabled     bool             `json:"disabled"`
	Downloads    int              `json:"downloads"`
	Likes        int              `json:"likes"`
	Tags         []string         `json:"tags"`
	PipelineTag  string           `json:"pipeline_tag,omitempty"`
	LibraryName  string           `json:"library_name,omitempty"`
	CardData     map[string]any   `json:"cardData,omitempty"`
	SDK          string           `json:"sdk,omitempty"`
	Siblings     []sibling        `json:"siblings"`
	Safetensors  *safetensorsInfo `json:"safetensors,omitempty"`
	UsedStorage  int64            `json:"usedStorage"`
}

// serveInfo answers GET /api/{type}s/{id}[/revision/{rev}][?blobs=true].
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, t *target) {
	rev := "main"
	if t.action == "revision" {
		rev = strings.Join(t.args, "/")
	}
	s.mu.RLock()
	c := rp.resolve(rev)
	if c == nil && t.action == "" {
		c = rp.head()
	}
	info := repoInfo{
		ObjectID: rp.objectID, ID: rp.key.id, Private: rp.private, Gated: false, Disabled: rp.disabled,
		Tags: slices.Clone(rp.meta.Tags), PipelineTag: rp.meta.PipelineTag, LibraryName: rp.meta.LibraryName,
		CardData: rp.meta.CardData, CreatedAt: rp.created.Format(timeFormat),
	}
	s.mu.RUnlock()
	if c == nil {
		writeError(w, r, errRevision(rev))
		return
	}
	derived := c.meta()
	if info.Tags == nil {
		info.Tags = slices.Clone(derived.tags)
	}
	info.PipelineTag = cmp.Or(info.PipelineTag, derived.pipelineTag)
	info.LibraryName = cmp.Or(info.LibraryName, derived.libraryName)
	if info.CardData == nil {
		info.CardData = derived.cardData
	}
	if rp.gated != "" {
		info.Gated = rp.gated
	}
	if owner, _, ok := strings.Cut(rp.key.id, "/"); ok {
		info.Author = owner
	}
	switch rp.key.typ {
	case "model":
		info.ModelID = rp.key.id
	case "space":
		info.SDK = "static"
	}
	if info.Tags == nil {
		info.Tags = []string{}
	}
	info.SHA, info.LastModified = c.sha, c.when.Format(timeFormat)
	blobs := isTrue(r.URL.Query().Get("blobs"))
	info.Siblings = make([]sibling, 0, len(c.paths))
	for _, p := range c.paths {
		f := c.files[p]
		info.UsedStorage += f.size
		sib := sibling{RFilename: p}
		if blobs {
			sib.Size, sib.BlobID = &f.size, f.gitID
			if f.lfs {
				sib.LFS = &lfsSibling{SHA256: f.sha256, Size: f.size, PointerSize: f.pointerSize}
			}
		}
		info.Siblings = append(info.Siblings, sib)
	}
	for _, p := range fx.treeEntries {
		info.Siblings = append(info.Siblings, sibling{RFilename: p})
	}
	info.Safetensors = c.safetensors()
	if expand := append(r.URL.Query()["expand"], r.URL.Query()["expand[]"]...); len(expand) > 0 {
		writeJSON(w, r, fx, expanded(info, expand))
		return
	}
	writeJSON(w, r, fx, info)
}

// expanded keeps the fields an ?expand= query asks for, and _id and id,
// as the Hub answers such a query.
func expanded(info repoInfo, fields []string) map[string]json.RawMessage {
	raw, _ := json.Marshal(info)
	var all map[string]json.RawMessage
	json.Unmarshal(raw, &all)
	out := map[string]json.RawMessage{"_id": all["_id"], "id": all["id"]}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out
}
