"""Writes one fuzzer seed per frame of the pcap files in a directory:
python3 seeds.py CAPTURE_DIR CORPUS_DIR. A seed is the index of the file's
link type in fuzz-dissect.c's table followed by the frame."""
import os
import struct
import sys

DLTS = [0, 1, 12, 14, 108, 101, 228, 229, 113, 276]


def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        return
    linktype = struct.unpack('<I', data[20:24])[0]
    if linktype not in DLTS:
        return
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack('<I', data[off + 8:off + 12])[0]
        yield DLTS.index(linktype), data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def main():
    src, dst = sys.argv[1], sys.argv[2]
    n = 0
    for name in sorted(os.listdir(src)):
        if name == 'flood.pcap':
            continue
        for idx, frame in frames(os.path.join(src, name)):
            n += 1
            with open(os.path.join(dst, 'seed-%s-%d' % (name, n)), 'wb') as out:
                out.write(bytes([idx]) + frame)


main()
