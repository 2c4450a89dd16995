# bench/peers.sh: the peers imgpool is measured against, sourced by bench/compare (speed) and bench/quality
# (fidelity) so that both run the very same command lines.
#
#   source "$here/peers.sh"
#   peers_install [EXTRA_DEBIAN_PACKAGE...]    # installs what is missing; exports SHARP_MODULE
#   declare -A cmd; peers_commands JOB IMGPOOL IN_DIR [FORMAT]
#
# peers_commands fills the associative array `cmd` (tool -> shell command line, OUT standing for the output
# folder) for JOB over every file in IN_DIR: thumbnail (256 px box, FORMAT jpg at quality 85 with 4:2:0
# chroma, or png) or resize-gray (imgpool and Pillow only). Uses $cpus when set, else nproc.
peers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

peers_install() {
  local need=() p
  for p in python3-pil libvips-tools imagemagick parallel "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  # node and npm may come from elsewhere (nodesource's nodejs bundles npm and conflicts with Debian's npm)
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  local sharp_dir=${IMGPOOL_SHARP_DIR:-$HOME/.cache/imgpool-bench-sharp}
  if [ ! -d "$sharp_dir/node_modules/sharp" ]; then
    mkdir -p "$sharp_dir" && (cd "$sharp_dir" && npm init -y >/dev/null && npm install --silent sharp@0.33.5 >/dev/null)
  fi
  export SHARP_MODULE="$sharp_dir/node_modules/sharp"
}

peers_commands() {  # JOB IMGPOOL IN_DIR [FORMAT]
  local job=$1 imgpool=$2 in=$3 format=${4:-jpg} j=${cpus:-$(nproc)}
  local py="/usr/bin/python3 $peers_dir/pillow_job.py"
  if [ "$job" = thumbnail ] && [ "$format" = jpg ]; then
    cmd[imgpool]="$imgpool thumbnail $in -o OUT --size 256 --format jpg --quality 85 --quiet"
    cmd[pillow]="$py thumbnail $in -o OUT --size 256 --quality 85"
    cmd[sharp]="node $peers_dir/sharp_job.mjs OUT 256 85 jpg $in/*"
    cmd[vipsthumbnail]="parallel -j $j -X vipsthumbnail --size 256 -o 'OUT/%s.jpg[Q=85,strip]' ::: $in/*"
    cmd[mogrify]="parallel -j $j -X mogrify -path OUT -define jpeg:size=512x512 -auto-orient -thumbnail 256x256 -quality 85 -sampling-factor 4:2:0 -format jpg ::: $in/*"
  elif [ "$job" = thumbnail ] && [ "$format" = png ]; then
    cmd[imgpool]="$imgpool thumbnail $in -o OUT --size 256 --format png --quiet"
    cmd[pillow]="$py thumbnail $in -o OUT --size 256 --format png"
    cmd[sharp]="node $peers_dir/sharp_job.mjs OUT 256 85 png $in/*"
    cmd[vipsthumbnail]="parallel -j $j -X vipsthumbnail --size 256 -o 'OUT/%s.png[strip]' ::: $in/*"
    cmd[mogrify]="parallel -j $j -X mogrify -path OUT -define jpeg:size=512x512 -auto-orient -thumbnail 256x256 -format png ::: $in/*"
  elif [ "$job" = resize-gray ]; then
    cmd[imgpool]="$imgpool run $in -o OUT --op resize=800x600 --op grayscale --format jpg --quality 85 --quiet"
    cmd[pillow]="$py resize-gray $in -o OUT --size 800x600 --quality 85"
  else
    echo "peers_commands: no job $job with format $format" >&2
    return 2
  fi
}
