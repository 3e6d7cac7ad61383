"""casefile.py: the parser of tests/e2e/cases/*.case (format in README.md).

A case file is a list of sections.  A section starts at column 0 with
`key:` (optionally followed by an inline value); the indented lines after it
are its block.  Lines starting with '#' at column 0 are comments.
"""
import re
import textwrap

import asciimap

HEADER = re.compile(r"^([A-Za-z][\w-]*(?: [\w.\-]+)?):(?:[ \t]+(.*))?$")

# keys that may appear once, before the first run:
SETUP_KEYS = {"case", "grid", "origin", "map", "ways", "nodes", "relations", "points", "set", "build",
              "requires", "note"}


class CaseError(Exception):
    pass


class Expect:
    def __init__(self, kind, arg, block, lineno):
        self.kind = kind      # e.g. "csv", "times", "exit", "geojson"
        self.arg = arg        # inline text after the colon ('' if none)
        self.block = block    # list of lines (dedented)
        self.lineno = lineno


class Step:
    def __init__(self, kind, cmd, lineno):
        self.kind = kind      # "run" (halfhour or any program) or "sh" (bash)
        self.cmd = cmd
        self.lineno = lineno
        self.expects = []


class Case:
    def __init__(self, path):
        self.path = path
        self.title = ""
        self.grid = 100.0
        self.origin = (0.0, 0.0)
        self.map = None
        self.ways = []
        self.nodes = []
        self.relations = []
        self.points = []
        self.sets = []        # --set key=value strings for the default build
        self.build_args = ""  # extra words for the default build
        self.requires = []    # "data" (HH_DATA must exist), "geocheck"
        self.files = {}       # name -> text (placeholders substituted at run)
        self.steps = []
        self._geo = None

    def geometry(self):
        if self._geo is None:
            if self.map is None:
                raise CaseError("%s: no map: section" % self.path)
            amap = asciimap.AsciiMap(self.map, self.grid, self.origin)
            ways = asciimap.parse_ways(self.ways, amap)
            amap.node_tags = asciimap.parse_node_tags(self.nodes, amap)
            amap.relations = asciimap.parse_relations(self.relations, amap, ways)
            points = asciimap.parse_points(self.points, amap)
            self._geo = (amap, ways, points)
        return self._geo


def _sections(text, path):
    lines = text.split("\n")
    out = []  # (key, inline, block lines, lineno)
    cur = None
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if line and not line[0].isspace():
            m = HEADER.match(line.rstrip())
            if not m:
                raise CaseError("%s:%d: expected 'key:' at column 0, got %r"
                                % (path, n, line))
            cur = [m.group(1), (m.group(2) or "").strip(), [], n]
            out.append(cur)
        else:
            if cur is None:
                if line.strip():
                    raise CaseError("%s:%d: indented line before any section" % (path, n))
                continue
            cur[2].append(line.rstrip("\n"))
    result = []
    for key, inline, block, n in out:
        while block and not block[-1].strip():
            block.pop()
        while block and not block[0].strip():
            block.pop(0)
        block = textwrap.dedent("\n".join(block)).split("\n") if block else []
        result.append((key, inline, block, n))
    return result


def parse(text, path="<case>"):
    c = Case(path)
    for key, inline, block, n in _sections(text, path):
        where = "%s:%d" % (path, n)
        words = key.split(" ", 1)
        if words[0] == "expect":
            if not c.steps:
                raise CaseError("%s: expect before any run:" % where)
            kind = words[1] if len(words) > 1 else ""
            c.steps[-1].expects.append(Expect(kind, inline, block, n))
            continue
        if key in ("run", "sh"):
            cmd = " ".join([inline] + [b.strip() for b in block if b.strip()])
            if not cmd:
                raise CaseError("%s: empty %s:" % (where, key))
            c.steps.append(Step(key, cmd, n))
            continue
        if words[0] == "file":
            if len(words) != 2:
                raise CaseError("%s: file sections are 'file NAME:'" % where)
            c.files[words[1]] = "\n".join(block) + ("\n" if block else "")
            continue
        if key not in SETUP_KEYS:
            raise CaseError("%s: unknown section '%s'" % (where, key))
        if c.steps and key != "note":
            raise CaseError("%s: '%s' must come before the first run:" % (where, key))
        if key == "case":
            c.title = inline
        elif key == "note":
            pass
        elif key == "grid":
            c.grid = float(inline)
        elif key == "origin":
            lon, lat = (float(v) for v in inline.split(","))
            c.origin = (lon, lat)
        elif key == "map":
            if inline:
                block = [inline] + block
            c.map = "\n".join(block)
        elif key == "ways":
            c.ways = ([inline] if inline else []) + block
        elif key == "nodes":
            c.nodes = ([inline] if inline else []) + block
        elif key == "relations":
            c.relations = ([inline] if inline else []) + block
        elif key == "points":
            c.points = ([inline] if inline else []) + block
        elif key == "set":
            c.sets += " ".join([inline] + block).split()
        elif key == "build":
            c.build_args = " ".join([inline] + block)
        elif key == "requires":
            c.requires += inline.split()
    if not c.steps:
        raise CaseError("%s: no run: step" % path)
    return c
