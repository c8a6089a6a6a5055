import { writeEldTable } from './eld-table.js'

// Run by the build after tsc (package.json `build`): the table then sits beside the compiled eld-table.js.
writeEldTable()
