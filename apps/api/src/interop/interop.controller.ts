import { Body, Controller, Get, Param, Post, Query, Res, UploadedFile, UploadedFiles, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { FileInterceptor, FilesInterceptor } from '@nestjs/platform-express';
import {
  MAX_TENSORBOARD_FILES,
  MAX_TENSORBOARD_UPLOAD_BYTES,
  MAX_WEIGHTS_UPLOAD_BYTES,
  tensorboardImportFieldsSchema,
  tensorboardImportResultSchema,
  weightsImportFieldsSchema,
  weightsImportResultSchema,
  weightsQuerySchema,
  type TensorboardImportResult,
  type WeightsImportResult,
} from '@equilab/contracts';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { AppError, parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { accessibleRunId } from '../auth/auth.guard';
import { CurrentPrincipal, Resources, Scopes, type Principal } from '../auth/principal';
import { sendDownload } from './download';
import { InteropService, type UploadedEventFile, type UploadedWeightsFile } from './interop.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** Room for the multipart framing and the text fields beside the files' bytes. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** Refuses an upload whose declared size exceeds the bound before any of it is buffered (413). */
function uploadSizeLimit(max: number, what: string): new () => NestInterceptor {
  return class UploadSizeLimit implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const length = Number(context.switchToHttp().getRequest<Request>().headers['content-length'] ?? 0);
      if (length > max + MULTIPART_OVERHEAD_BYTES) throw new AppError('payload_too_large', `upload of ${length} bytes: at most ${max} bytes of ${what}`);
      return next.handle();
    }
  };
}

@Controller()
export class InteropController {
  constructor(private readonly interop: InteropService) {}

  /** multipart/form-data: `projectId`, `name`, optional `method`, and the run's event files as `files`. */
  @ApiDoc({ summary: 'Import a TensorBoard log directory’s event files as one run (status imported); a corrupt record → 400 naming file and byte offset, the records before it kept', form: tensorboardImportFieldsSchema, response: tensorboardImportResultSchema, errors: [404] })
  @Post('imports/tensorboard')
  @UseInterceptors(
    uploadSizeLimit(MAX_TENSORBOARD_UPLOAD_BYTES, 'event files per run'),
    FilesInterceptor('files', MAX_TENSORBOARD_FILES, {
      limits: { fileSize: MAX_TENSORBOARD_UPLOAD_BYTES, files: MAX_TENSORBOARD_FILES, fields: 8, fieldSize: 4096 },
    }),
  )
  importTensorboard(@Body() fields: unknown, @UploadedFiles() files: UploadedEventFile[] | undefined): Promise<TensorboardImportResult> {
    return this.interop.importTensorboard(fields, files);
  }

  /** multipart/form-data: `projectId`, `method`, optional `name`, `config` (JSON), `dataRoot`, `backend`, and the weights as `file`. */
  @ApiDoc({ summary: 'Import the reference’s backbone weights (.pth or safetensors) as a run (status imported) holding them as final weights, which the evaluation routes evaluate; a bad file → 400 on file naming the problem, nothing stored', form: weightsImportFieldsSchema, formFile: 'file', response: weightsImportResultSchema, errors: [404] })
  @Post('imports/weights')
  @UseInterceptors(
    uploadSizeLimit(MAX_WEIGHTS_UPLOAD_BYTES, 'weights'),
    FileInterceptor('file', { limits: { fileSize: MAX_WEIGHTS_UPLOAD_BYTES, files: 1, fields: 8, fieldSize: 16 * 1024 + 1024 } }),
  )
  importWeights(@Body() fields: unknown, @UploadedFile() file: UploadedWeightsFile | undefined): Promise<WeightsImportResult> {
    return this.interop.importWeights(fields, file);
  }

  @ApiDoc({ summary: 'The weights file a run starts from (its initWeights artifact), for the runner (run token) or a user', tag: 'runner protocol', response: { produces: ['application/octet-stream'] } })
  @Get('runs/:id/init-weights')
  @Scopes('admin', 'member', 'run')
  @Resources({ kind: 'run', param: 'id' })
  async initWeights(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() res: Response): Promise<void> {
    sendDownload(res, await this.interop.initWeightsFile(accessibleRunId(principal, id)));
  }

  @ApiDoc({ summary: 'The run’s final backbone in the reference’s PyTorch naming: torch.load-able .pth or safetensors', query: weightsQuerySchema, response: { produces: ['application/octet-stream'] } })
  @Get('runs/:id/weights')
  async weights(@Param('id') id: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const runId = parseId(id);
    const { format } = parseInput(weightsQuerySchema, query);
    sendDownload(res, await this.interop.exportWeights(runId, format));
  }
}
