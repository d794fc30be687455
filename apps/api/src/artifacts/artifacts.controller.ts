import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Resources, Scopes } from '../auth/principal';
import { AppError } from '../common/app-error';
import { parseId } from '../common/params';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { ArtifactsService } from './artifacts.service';

@Controller('artifacts')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  /**
   * The artifact's bytes, streamed from the artifact store by express' `res.sendFile` (the `send` package):
   * `Accept-Ranges: bytes`, a single `Range: bytes=a-b` answers 206 with `Content-Range`, an unsatisfiable one
   * 416 with `Content-Range: bytes *\/size`, several ranges the whole file (200; RFC 9110 lets a server ignore
   * Range). The ETag is the recorded SHA-256, so `If-Range` resumes a download only of the same bytes.
   */
  @ApiDoc({
    summary: 'Download an artifact (checkpoint, final weights, evaluation file); HTTP range requests (206/416). A member token: artifacts of its granted projects (others 404)',
    response: { produces: ['application/octet-stream'] },
    errors: [404, 416],
  })
  @Get(':id/content')
  @Scopes('admin', 'member')
  @Resources({ kind: 'artifact', param: 'id' })
  async content(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const file = await this.artifacts.file(parseId(id));
    res.setHeader('ETag', `"${file.sha256}"`);
    res.attachment(file.fileName);
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file.relativePath, { root: file.root, dotfiles: 'allow', etag: false, lastModified: true, headers: { 'Content-Type': 'application/octet-stream' } }, (error?: Error & { code?: string; status?: number }) => {
        if (!error) return resolve();
        if (res.headersSent) return resolve(); // the client went away mid-stream
        if (error.status === 416) {
          res.status(416).setHeader('Content-Range', `bytes */${file.size}`);
          res.removeHeader('Content-Disposition');
          res.type('text/plain').end(`range not satisfiable: the artifact has ${file.size} bytes\n`);
          return resolve();
        }
        res.removeHeader('ETag');
        res.removeHeader('Content-Disposition');
        if (error.code === 'ENOENT' || error.status === 404) {
          return reject(new AppError('not_found', `artifact ${file.id} of run ${file.runId} is recorded but its file ${file.relativePath} is missing from the artifact store`));
        }
        reject(error);
      });
    });
  }
}
