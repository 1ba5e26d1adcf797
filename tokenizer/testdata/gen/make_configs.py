"""Writes the small tokenizer.json files of tokenizer/testdata, built from the fixture
vocabularies (bert-base-uncased, gpt2) so that every component of the tokenizers schema that the
package supports is exercised. Run from this directory: python3 make_configs.py"""
import collections
import json

FIX = "../../../testdata/fixtures/tokenizer_json/"
OUT = "../"

bert = json.load(open(FIX + "bert-base-uncased.tokenizer.json"))
gpt2 = json.load(open(FIX + "gpt2.tokenizer.json"))

WORDS = """hello world the quick brown fox jumps over lazy dog cafe naive resume
token tokens tokenizer text more and or not is a an of to in it i don t s ll
mr mrs email mail hugging face nandu straße""".split()


def small_wordpiece_vocab():
    keep = []
    for tok, _ in sorted(bert["model"]["vocab"].items(), key=lambda kv: kv[1]):
        bare = tok[2:] if tok.startswith("##") else tok
        if tok.startswith("[") and tok.endswith("]") and tok[1:-1].isupper():
            keep.append(tok)
        elif len(bare) <= 2 and (bare.isascii() or len(bare) == 1):
            keep.append(tok)
        elif tok in WORDS:
            keep.append(tok)
    keep = [t for t in keep if not t.startswith("[unused")]
    return {t: i for i, t in enumerate(keep)}


def added(id_, content, special=True, normalized=False, lstrip=False, rstrip=False, single_word=False):
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip,
            "rstrip": rstrip, "normalized": normalized, "special": special}


def write(name, obj):
    with open(OUT + name, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def wordpiece_seq():
    vocab = small_wordpiece_vocab()
    n = len(vocab)
    specials = [added(vocab[t], t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]]
    extra = [
        added(n, "<ent>", special=False, normalized=True, single_word=True),
        added(n + 1, "[BR]", special=False, normalized=False, lstrip=True, rstrip=True),
        added(n + 2, "Ñandu", special=False, normalized=True),
    ]
    write("wordpiece_seq.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials + extra,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"String": "``"}, "content": "\""},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Strip", "strip_left": True, "strip_right": True},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"},
            {"type": "Punctuation", "behavior": "Isolated"},
            {"type": "Digits", "individual_digits": True},
        ]},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", vocab["[SEP]"]], "cls": ["[CLS]", vocab["[CLS]"]]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 20, "vocab": vocab},
    })


def split_regex():
    vocab = small_wordpiece_vocab()
    specials = [added(vocab[t], t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]]
    write("split_regex.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials,
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Prepend", "prepend": "#"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "[,;]"}, "behavior": "MergedWithPrevious", "invert": False},
            {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": False},
            {"type": "Split", "pattern": {"Regex": "[0-9]"}, "behavior": "Contiguous", "invert": False},
            {"type": "Split", "pattern": {"String": "-"}, "behavior": "MergedWithNext", "invert": False},
            {"type": "Split", "pattern": {"Regex": "[a-z]+"}, "behavior": "Isolated", "invert": True},
        ]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP][MASK]", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP][MASK]", "type_id": 1}},
                                    {"Sequence": {"id": "B", "type_id": 2}}],
                           "special_tokens": {
                               "[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]},
                               "[SEP][MASK]": {"id": "[SEP][MASK]", "ids": [vocab["[SEP]"], vocab["[MASK]"]], "tokens": ["[SEP]", "[MASK]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    })


def split_unicode():
    # Regular expressions whose Oniguruma meaning differs from a literal reading by Go's regexp:
    # ^ at every line, (?m) as dotall, Unicode \s and \d, inside and outside classes.
    vocab = small_wordpiece_vocab()
    specials = [added(vocab[t], t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]]
    write("split_unicode.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"Regex": "^-+"}, "content": ""},
            {"type": "Replace", "pattern": {"Regex": "(?m:e.n)"}, "content": "en"},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": False},
            {"type": "Split", "pattern": {"Regex": "\\d"}, "behavior": "Isolated", "invert": False},
            {"type": "Split", "pattern": {"Regex": "[^\\s\\p{L}\\d]+"}, "behavior": "Isolated", "invert": False},
        ]},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", vocab["[SEP]"]], "cls": ["[CLS]", vocab["[CLS]"]]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    })


def gpt2_subset(n_merges):
    merges = gpt2["model"]["merges"][:n_merges]
    alphabet = [t for t, i in sorted(gpt2["model"]["vocab"].items(), key=lambda kv: kv[1]) if i < 256]
    vocab = {t: i for i, t in enumerate(alphabet)}
    for m in merges:
        a, b = m.split(" ")
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    return vocab, merges


def bytelevel_template():
    vocab, merges = gpt2_subset(3000)
    n = len(vocab)
    toks = ["<|endoftext|>", "<|bos|>", "<|eos|>", "<|pad|>"]
    specials = [added(n + i, t, normalized=(t == "<|endoftext|>")) for i, t in enumerate(toks)]
    write("bytelevel_template.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"SpecialToken": {"id": "<|eos|>", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|eos|>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                      {"SpecialToken": {"id": "<|eos|>", "type_id": 1}}],
             "special_tokens": {t: {"id": t, "ids": [n + i], "tokens": [t]} for i, t in enumerate(toks) if t in ("<|bos|>", "<|eos|>")}},
        ]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [m.split(" ") for m in merges]},
    })


CORPUS = """the quick brown fox jumps over the lazy dog . hello world , hello there !
tokenizers turn text into tokens ; the tokens become ids and the ids become vectors .
a naive cafe owner met a resume writer near the fjord in the north"""


def train_char_bpe(corpus, n_merges, suffix):
    words = collections.Counter(corpus.split())
    seqs = {w: tuple(list(w[:-1]) + [w[-1] + suffix]) for w in words}
    vocab = {}
    for s in seqs.values():
        for sym in s:
            vocab.setdefault(sym, len(vocab))
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, s in seqs.items():
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += words[w]
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f"{a} {b}")
        vocab.setdefault(a + b, len(vocab))
        for w, s in seqs.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = tuple(out)
    return vocab, merges


def bpe_suffix():
    vocab, merges = train_char_bpe(CORPUS, 120, "</w>")
    for t in ["<s>", "</s>", "<pad>", "<unk>", "<mask>"]:
        vocab[t] = len(vocab)
    specials = [added(vocab[t], t, lstrip=(t == "<mask>")) for t in ["<s>", "</s>", "<pad>", "<unk>", "<mask>"]]
    write("bpe_suffix.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials,
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", vocab["</s>"]], "cls": ["<s>", vocab["<s>"]],
                           "trim_offsets": True, "add_prefix_space": False},
        "decoder": {"type": "BPEDecoder", "suffix": "</w>"},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": "</w>", "fuse_unk": True, "byte_fallback": False,
                  "vocab": vocab, "merges": merges},
    })


def byte_fallback():
    vocab, merges = train_char_bpe(CORPUS.replace(" ", " ▁"), 80, "")
    for b in range(256):
        vocab.setdefault(f"<0x{b:02X}>", len(vocab))
    for t in ["<unk>", "<s>", "</s>"]:
        vocab[t] = len(vocab)
    vocab["hello"] = len(vocab)
    specials = [added(vocab[t], t) for t in ["<unk>", "<s>", "</s>"]]
    write("byte_fallback.tokenizer.json", {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": specials,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [vocab["<s>"]], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    })


wordpiece_seq()
split_regex()
split_unicode()
bytelevel_template()
bpe_suffix()
byte_fallback()
