#!/bin/sh
# A tree of an earlier commit for `BENCH_BEFORE=<dir> npm run bench:small-optimizations`: its
# packages, and a node_modules of links to this tree's, except @modelworks/*, which point into the
# copy (so its engines load its own solver). Run from the repository root.
#   sh bench/small-optimizations-before.sh <commit> <dir>
set -eu
commit=$1
dir=$2
root=$(pwd)
rm -rf "$dir"
mkdir -p "$dir/node_modules/@modelworks"
git archive "$commit" packages package.json tsconfig.json | tar -x -C "$dir"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do
  name=$(basename "$entry")
  [ "$name" = "@modelworks" ] || ln -s "$entry" "$dir/node_modules/$name"
done
for link in "$root"/node_modules/@modelworks/*; do
  target=$(readlink "$link")
  ln -s "$dir/${target#../../}" "$dir/node_modules/@modelworks/$(basename "$link")"
done
echo "$dir: $commit"
