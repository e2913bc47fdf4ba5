#include "fdt/walker.h"

namespace fdt {

bool TreeWalker::next() {
    uint32_t off = next_;
    for (;;) {
        Tag tag = blob_.next_tag(off);
        switch (tag.token) {
            case Token::BeginNode: {
                if (open_ > MAX_DEPTH) return false;  // excluded by Blob::open()
                uint32_t parent = open_ == 0 ? NO_OFFSET : stack_[open_ - 1];
                node_ = Node(blob_, tag.offset, parent);
                depth_ = open_;
                stack_[open_++] = tag.offset;
                next_ = tag.next;
                return true;
            }
            case Token::EndNode:
                if (open_ == 0) return false;
                open_--;
                break;
            case Token::Prop:
            case Token::Nop:
                break;
            case Token::End:
                next_ = tag.offset;
                return false;
        }
        off = tag.next;
    }
}

}  // namespace fdt
